terraform {
  required_version = ">= 1.11.0"
  required_providers {
    vault = {
      source  = "hashicorp/vault"
      version = ">= 5.0.0"
    }
  }
}

variable "db_password" {
  type      = string
  sensitive = true
}

# Written by the deploy pipeline.
resource "vault_kv_secret_v2" "db" {
  mount = "kv"
  name  = "apps/db"
  data_json_wo = jsonencode({
    password = var.db_password
  })
  data_json_wo_version = 1 # bump to write a new value: write-only arguments are never compared with state
}

# vault_generic_secret.db moved to vault_kv_secret_v2: forget it without deleting the secret in Vault.
removed {
  from = vault_generic_secret.db

  lifecycle {
    destroy = false
  }
}

output "db_secret_path" {
  value = vault_kv_secret_v2.db.path
}
