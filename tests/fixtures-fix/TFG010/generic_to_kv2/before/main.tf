terraform {
  required_version = ">= 1.5"
  required_providers {
    vault = {
      source  = "hashicorp/vault"
      version = "~> 3.22"
    }
  }
}

variable "db_password" {
  type      = string
  sensitive = true
}

# Written by the deploy pipeline.
resource "vault_generic_secret" "db" {
  path = "kv/data/apps/db"
  data_json = jsonencode({
    password = var.db_password
  })
}

output "db_secret_path" {
  value = vault_generic_secret.db.path
}
