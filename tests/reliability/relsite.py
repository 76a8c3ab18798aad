"""What the reliability tests share besides fixtures: the nodes of the
session (for the error-log check), their configuration, moderation."""


def node_config(admin_email):
    """The <Location> directives of every node: the same site."""
    return f"    MoisInnoAdmins {admin_email}\n"


# Every httpd of the session, so that the error-log check covers them all.
NODES = []


def publish(admin, event_id, version):
    """The admin publishes an event through the moderation form."""
    return admin.post_form(f"/admin/evenements/{event_id}/publier",
                           [("version", str(version))])
