output "bot_id" {
  value = genesyscloud_flow.bot_flow.id
}

output "name" {
  value = genesyscloud_flow.bot_flow.name
}
