# The seed recipe's complete configuration, as the tutorial gives it (../shared/seed).
# It leaks the OAuth secret into state; `tfguard check examples/seed` shows where.
terraform {
  required_providers {
    genesyscloud = {
      source  = "mikeschaeffer/genesyscloud"
      version = "1.35.0"
    }
    vault = {
      source  = "hashicorp/vault"
      version = "3.22.0"
    }
    random = {
      source  = "hashicorp/random"
      version = "3.5.1"
    }
  }
}

provider "genesyscloud" {
  # Credentials injected via environment variables
}

provider "vault" {
  address = var.vault_address
  token   = var.vault_token
}

# Generate the secret
resource "random_password" "oauth_client_secret" {
  length           = 32
  special          = false
  override_special = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
}

# Create the OAuth Client in Genesys Cloud
resource "genesyscloud_oauth_client" "my_app" {
  name        = "Terraform Managed App"
  description = "Secure OAuth client created by Terraform"
  client_type = "confidential"

  redirect_uris = [
    "https://my-app.example.com/callback"
  ]

  grant_types = [
    "authorization_code",
    "refresh_token"
  ]

  scopes = [
    "conversation:call",
    "user:read"
  ]

  client_secret = random_password.oauth_client_secret.result
}

# Store the secret in Vault for runtime retrieval
resource "vault_generic_secret" "genesys_oauth_secret" {
  path = "secret/data/genesys/oauth/my-app"

  data_json = jsonencode({
    client_id     = genesyscloud_oauth_client.my_app.client_id
    client_secret = random_password.oauth_client_secret.result
  })
}

# Output the Client ID (safe to output)
output "genesys_client_id" {
  value       = genesyscloud_oauth_client.my_app.client_id
  description = "The Client ID for the Genesys Cloud OAuth application"
}
