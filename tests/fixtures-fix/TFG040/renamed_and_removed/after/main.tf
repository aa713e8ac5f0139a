resource "genesyscloud_oauth_client" "app" {
  name                  = "App"
  authorized_grant_type = "CODE"

  # Where the app receives the code.
  registered_redirect_uris = [
    "https://app.example.com/callback",
  ]
  scopes = ["users:readonly"]
}

resource "genesyscloud_oauth_client" "single" {
  name                  = "Single"
  authorized_grant_type = "CODE"
  registered_redirect_uris = ["https://single.example.com/cb"]
  scopes                = ["users:readonly"]
}
