variable "vault_address" {
  description = "The address of the Vault server"
  type        = string
}

variable "vault_token" {
  description = "The Vault token for authentication"
  type        = string
  sensitive   = true
}
