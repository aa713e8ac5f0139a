# The seed recipe, fixed: the OAuth secret never reaches Terraform state.
# - Genesys Cloud generates the client secret itself (the API has no field to set one), so
#   Terraform does not invent one: `client_secret` is not set and `expose_client_secret` stays false.
# - A secret Terraform does generate (here: a webhook signing key for the app) is an
#   `ephemeral "random_password"` (never stored) written to Vault through the write-only
#   `data_json_wo` argument of `vault_kv_secret_v2` (stored as null in state).
# Needs Terraform >= 1.11, hashicorp/random >= 3.7, hashicorp/vault >= 5.0.
terraform {
  required_version = ">= 1.11"
  required_providers {
    genesyscloud = {
      source  = "mypurecloud/genesyscloud"
      version = "~> 1.84"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.0.0"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7.0"
    }
  }
}

provider "genesyscloud" {
  # GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION
  # come from the environment.
}

provider "vault" {
  address = var.vault_address
  token   = var.vault_token
}

resource "genesyscloud_oauth_client" "my_app" {
  name                          = "Terraform Managed App"
  description                   = "OAuth client created by Terraform; its secret is stored only in Vault"
  authorized_grant_type         = "CODE"
  registered_redirect_uris      = ["https://my-app.example.com/callback"]
  scopes                        = ["users:readonly", "conversations:readonly"]
  access_token_validity_seconds = 86400
  state                         = "active"
  # The provider stores the Genesys-generated secret in an integration credential, not in state.
  integration_credential_name = "my-app-oauth-credential"
}

ephemeral "random_password" "webhook_signing_key" {
  length  = 32
  special = false
}

resource "vault_kv_secret_v2" "genesys_oauth_app" {
  mount = "secret"
  name  = "genesys/oauth/my-app"
  data_json_wo = jsonencode({
    client_id           = genesyscloud_oauth_client.my_app.client_id
    webhook_signing_key = ephemeral.random_password.webhook_signing_key.result
  })
  # Bump to write a new value (write-only arguments are never compared with state).
  data_json_wo_version = var.secret_version
}

output "genesys_client_id" {
  value       = genesyscloud_oauth_client.my_app.client_id
  description = "The Client ID for the Genesys Cloud OAuth application (not a secret)"
}
