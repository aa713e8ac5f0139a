terraform {
  required_version = ">= 1.10.0"
}

variable "vault_address" {
  type = string
}

variable "vault_token" {
  description = "Used only to configure the provider"
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "db_password" {
  type      = string
  sensitive = true
}
