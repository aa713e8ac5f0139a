# `tfguard apply` on this module provisions the OAuth client the way the seed recipe meant to,
# with the secret never touching Terraform state:
#   1. tfguard creates the client through the Genesys Cloud API (which generates the secret),
#   2. writes {client_id, client_secret} to Vault KV v2 at the mount/name of the
#      `vault_kv_secret_v2` below, which references the client (check-and-set),
#   3. records a secret-free tfguard.tfstate (Terraform state v4) and verifies it.
# The same files still work with Terraform >= 1.11: the Vault data goes through the write-only
# `data_json_wo` argument (stored as null in state), and `client_secret` is never exposed.
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
  }
}

provider "genesyscloud" {
  # GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION
  # come from the environment (tfguard reads the same variables).
}

provider "vault" {
  # VAULT_ADDR and VAULT_TOKEN come from the environment.
}

# A backend service that calls the Genesys Cloud API on its own behalf: client credentials,
# with a role in one division (the role must already be held by the admin client).
resource "genesyscloud_oauth_client" "reporting" {
  name                          = "Reporting service"
  description                   = "Nightly reporting export; secret lives only in Vault"
  authorized_grant_type         = "CLIENT-CREDENTIALS"
  access_token_validity_seconds = var.token_validity_seconds
  state                         = "active"

  roles {
    role_id     = var.reporting_role_id
    division_id = var.home_division_id
  }
}

resource "vault_kv_secret_v2" "reporting" {
  mount = "secret"
  name  = "tfguard/reporting"
  data_json_wo = jsonencode({
    client_id = genesyscloud_oauth_client.reporting.client_id
  })
  data_json_wo_version = 1
}

output "reporting_client_id" {
  description = "The OAuth client id (not a secret)"
  value       = genesyscloud_oauth_client.reporting.client_id
}
