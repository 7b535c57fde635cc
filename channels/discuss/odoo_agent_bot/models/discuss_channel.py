import logging

from odoo import models
from odoo.tools import html2plaintext

from ..lib import webhook

_logger = logging.getLogger(__name__)

PARAM_URL = "odoo_agent_bot.server_url"
PARAM_SECRET = "odoo_agent_bot.webhook_secret"
BOT_PARTNER = "odoo_agent_bot.partner_agent_bot"


class DiscussChannel(models.Model):
    _inherit = "discuss.channel"

    def _message_post_after_hook(self, message, msg_vals):
        result = super()._message_post_after_hook(message, msg_vals)
        try:
            self._odoo_agent_notify(message, msg_vals)
        except Exception:  # the user's post must never fail because of us
            _logger.exception("odoo agent: could not prepare the webhook")
        return result

    def _odoo_agent_notify(self, message, msg_vals):
        bot = self.env.ref(BOT_PARTNER, raise_if_not_found=False)
        if not bot or message.message_type != "comment":
            return
        if message.author_id == bot:
            return
        mentioned = bot.id in (msg_vals.get("partner_ids") or [])
        direct = self.channel_type == "chat" and bot in self.channel_member_ids.partner_id
        if not (mentioned or direct):
            return
        params = self.env["ir.config_parameter"].sudo()
        url = params.get_param(PARAM_URL)
        secret = params.get_param(PARAM_SECRET)
        if not url or not secret:
            _logger.warning("odoo agent: set %s and %s to reach the server", PARAM_URL, PARAM_SECRET)
            return
        author_user = message.author_id.user_ids[:1]
        payload = {
            "db": self.env.cr.dbname,
            "message_id": message.id,
            "channel_id": self.id,
            "channel_type": self.channel_type,
            "author_partner_id": message.author_id.id,
            "author_user_id": author_user.id or None,
            "author_email": message.author_id.email or None,
            "author_name": message.author_id.name or None,
            "body": html2plaintext(message.body or "").strip(),
        }
        # Only after the commit: a rolled-back post is never sent, and the
        # server reads a message that exists.
        self.env.cr.postcommit.add(lambda: webhook.send_in_background(url, secret, payload))
