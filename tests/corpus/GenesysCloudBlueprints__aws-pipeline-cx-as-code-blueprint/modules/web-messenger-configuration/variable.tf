variable "web_messenger_configuration_name" {
  type        = string
  description = "The name of the web messenger configuration"
}
