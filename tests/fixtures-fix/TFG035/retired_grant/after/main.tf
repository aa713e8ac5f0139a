resource "genesyscloud_oauth_client" "spa" {
  name                     = "Single-page app"
  authorized_grant_type    = "TOKEN"
  registered_redirect_uris = ["https://spa.example.com/callback"]
  scopes                   = ["users:readonly"]
}
