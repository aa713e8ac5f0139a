resource "genesyscloud_oauth_client" "app" {
  name = "App"

  authorized_grant_type = "CODE"

  registered_redirect_uris = ["https://app.example.com/callback"]
  scopes                   = ["users:readonly"]
}

resource "genesyscloud_oauth_client" "service" {
  name        = "Service"
  authorized_grant_type = "CLIENT-CREDENTIALS"

  roles {
    role_id = "00000000-0000-0000-0000-000000000001"
  }
}
