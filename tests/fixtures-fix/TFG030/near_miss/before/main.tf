variable "extra_scope" {
  type    = string
  default = "user:read"
}

resource "genesyscloud_oauth_client" "app" {
  name                     = "App"
  authorized_grant_type    = "CODE"
  registered_redirect_uris = ["https://app.example.com/callback"]
  scopes = [
    "conversation:call", # near miss: both forms exist
    "users:readonly",
    "analytics",
  ]
}
