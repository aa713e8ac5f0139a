provider "vault" {
  address = var.vault_address
  token   = var.vault_token
}

# db_password is stored (data_json is not write-only): it stays a normal variable.
resource "vault_kv_secret_v2" "db" {
  mount     = "secret"
  name      = "db"
  data_json = jsonencode({ password = var.db_password })
}
