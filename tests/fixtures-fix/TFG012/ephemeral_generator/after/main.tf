terraform {
  required_version = ">= 1.11"
  required_providers {
    random = {
      source  = "hashicorp/random"
      version = ">= 3.7.0"
    }
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.0.0"
    }
  }
}

ephemeral "random_password" "signing_key" {
  length  = 48
  special = false
}

# random_password.signing_key is ephemeral now: forget the stored one (its value is in state history: rotate what used it).
removed {
  from = random_password.signing_key

  lifecycle {
    destroy = false
  }
}

resource "vault_kv_secret_v2" "signing" {
  mount = "secret"
  name  = "app/signing"
  data_json_wo = jsonencode({
    key = ephemeral.random_password.signing_key.result
  })
  data_json_wo_version = 1
}
