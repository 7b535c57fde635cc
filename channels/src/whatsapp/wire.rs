//! The parts of the Cloud API's JSON this channel reads and writes
//! (<https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components>).
//! Unknown fields are ignored, so new Graph API versions do not break
//! parsing; message types we do not read keep only their `type`.

use serde::Deserialize;

/// A webhook notification: `{"object": "whatsapp_business_account",
/// "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": …}]}]}`.
#[derive(Debug, Clone, Deserialize)]
pub struct Notification {
    #[serde(default)]
    pub object: String,
    #[serde(default)]
    pub entry: Vec<Entry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Change {
    /// `messages` for messages and statuses; other fields are account events.
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub value: Value,
}

/// A `messages` change: inbound messages with their senders' profiles,
/// and status updates of messages we sent.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Value {
    #[serde(default)]
    pub metadata: Option<Metadata>,
    #[serde(default)]
    pub contacts: Vec<Contact>,
    #[serde(default)]
    pub messages: Vec<Message>,
    #[serde(default)]
    pub statuses: Vec<Status>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Metadata {
    /// The business number the message was sent to.
    pub phone_number_id: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Contact {
    pub wa_id: String,
    #[serde(default)]
    pub profile: Option<Profile>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Profile {
    #[serde(default)]
    pub name: Option<String>,
}

/// An inbound message.
#[derive(Debug, Clone, Deserialize)]
pub struct Message {
    /// The sender's WhatsApp id: the number's digits with country code.
    pub from: String,
    /// The message id (`wamid.…`), unique per business number.
    pub id: String,
    /// When the person sent it: Unix seconds, as a string.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// `text`, `interactive`, `image`, `audio`, `reaction`, …
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub text: Option<Text>,
    #[serde(default)]
    pub interactive: Option<Interactive>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Text {
    pub body: String,
}

/// A press on one of our interactive messages (`type: button_reply`;
/// list replies carry `list_reply` instead).
#[derive(Debug, Clone, Deserialize)]
pub struct Interactive {
    #[serde(default)]
    pub button_reply: Option<ButtonReply>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ButtonReply {
    /// The id we gave the button.
    pub id: String,
}

/// A status update of a message we sent (`sent`, `delivered`, `read`,
/// `failed`).
#[derive(Debug, Clone, Deserialize)]
pub struct Status {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub errors: Vec<ErrorBody>,
}

/// An error as the Graph API reports it, in an answer's `error` or a
/// failed status's `errors[]`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorBody {
    #[serde(default)]
    pub code: i64,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub error_data: Option<ErrorData>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorData {
    #[serde(default)]
    pub details: Option<String>,
}

/// A refused call's body: `{"error": {…}}`.
#[derive(Debug, Clone, Deserialize)]
pub struct ErrorAnswer {
    pub error: ErrorBody,
}

/// `POST /{phone-number-id}/media`'s answer.
#[derive(Debug, Clone, Deserialize)]
pub struct Uploaded {
    pub id: String,
}
