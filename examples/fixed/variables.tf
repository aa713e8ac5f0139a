variable "vault_address" {
  description = "The address of the Vault server"
  type        = string
  default     = "https://vault.example.com:8200"
}

variable "vault_token" {
  description = "The Vault token for authentication (used only by the provider block)"
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "secret_version" {
  description = "Increment to rotate the webhook signing key in Vault"
  type        = number
  default     = 1
}
