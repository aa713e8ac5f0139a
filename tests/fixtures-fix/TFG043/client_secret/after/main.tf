resource "random_password" "unused" {
  length = 32
}

resource "genesyscloud_oauth_client" "app" {
  name                     = "App"
  authorized_grant_type    = "CODE"
  registered_redirect_uris = ["https://app.example.com/callback"]
  scopes                   = ["users:readonly"]
}
