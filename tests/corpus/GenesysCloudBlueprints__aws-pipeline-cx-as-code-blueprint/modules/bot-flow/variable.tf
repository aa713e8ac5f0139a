variable "bot_name" {
  type        = string
  description = "Name to assign to the Bot Flow."
}

variable "division" {
  type        = string
  description = "Name of the Division to assign to the Bot Flow."
}
