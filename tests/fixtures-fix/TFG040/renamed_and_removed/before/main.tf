resource "genesyscloud_oauth_client" "app" {
  name                  = "App"
  authorized_grant_type = "CODE"
  client_type           = "confidential" # not a Genesys Cloud concept

  # Where the app receives the code.
  redirect_uris = [
    "https://app.example.com/callback",
  ]
  scopes = ["users:readonly"]
}

resource "genesyscloud_oauth_client" "single" {
  name                  = "Single"
  authorized_grant_type = "CODE"
  redirect_uri          = "https://single.example.com/cb"
  scopes                = ["users:readonly"]
}
