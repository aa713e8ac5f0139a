terraform {
  required_version = ">= 1.11.0"
  required_providers {
    vault = { source = "hashicorp/vault", version = ">= 5.0.0" }
  }
}

variable "api_key" {
  type      = string
  sensitive = true
}

resource "vault_kv_secret_v2" "app" {
  mount = "secret"
  name  = "app"
  data_json_wo = jsonencode({
    api_key = var.api_key
  })
  data_json_wo_version = 1 # bump to write a new value: write-only arguments are never compared with state
}
