{
    "name": "Odoo Agent Bot",
    "summary": "Ask the Odoo agent server questions from Discuss",
    "description": """
Creates the "Odoo Agent" bot user. When someone mentions the bot in a
Discuss channel, or writes to it in a direct chat, the message is sent to
the agent server as a small HMAC-signed webhook after the transaction
commits; the server answers in the same conversation through Odoo's
external API, as the bot.

Set two system parameters (Settings > Technical > System Parameters):
odoo_agent_bot.server_url (e.g. https://agent.example.com) and
odoo_agent_bot.webhook_secret (the server's DISCUSS_WEBHOOK_SECRET).
""",
    "version": "1.0.0",
    "category": "Productivity/Discuss",
    "author": "odoo-agent",
    "license": "LGPL-3",
    "depends": ["mail"],
    "data": ["data/bot_user.xml"],
    "external_dependencies": {},
    "installable": True,
    "application": False,
    "auto_install": False,
}
