resource "genesyscloud_oauth_client" "app" {
  name = "App"

  grant_types = [
    "authorization_code",
    "refresh_token",
  ]

  registered_redirect_uris = ["https://app.example.com/callback"]
  scopes                   = ["users:readonly"]
}

resource "genesyscloud_oauth_client" "service" {
  name        = "Service"
  grant_types = ["client_credentials"]

  roles {
    role_id = "00000000-0000-0000-0000-000000000001"
  }
}
