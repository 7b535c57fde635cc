from . import discuss_channel
