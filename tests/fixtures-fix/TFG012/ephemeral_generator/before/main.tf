terraform {
  required_version = ">= 1.11"
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = "3.5.1"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.0.0"
    }
  }
}

resource "random_password" "signing_key" {
  length  = 48
  special = false
  keepers = {
    rotation = "2026-01"
  }
}

resource "vault_kv_secret_v2" "signing" {
  mount = "secret"
  name  = "app/signing"
  data_json_wo = jsonencode({
    key = random_password.signing_key.result
  })
  data_json_wo_version = 1
}
