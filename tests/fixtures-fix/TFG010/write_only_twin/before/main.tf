variable "api_key" {
  type      = string
  sensitive = true
}

resource "vault_kv_secret_v2" "app" {
  mount = "secret"
  name  = "app"
  data_json = jsonencode({
    api_key = var.api_key
  })
}
