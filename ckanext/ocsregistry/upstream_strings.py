"""Strings of CKAN, ckanext-activity and ckanext-harvest shown on the registry's
pages with no French translation upstream (ckanext-harvest ships none).

Nothing calls this module: listing the messages here keeps them in the
extension's catalogue when ``scripts/update_translations.sh`` extracts it, and
CKAN finds their French there (same msgid as upstream).
"""


def _(message: str) -> str:  # a marker for extraction only
    return message


def ungettext(singular: str, plural: str, n: int) -> str:  # marker
    return singular if n == 1 else plural


MESSAGES = (
    # CKAN
    _("Skip to main content"),
    # the header search box's hidden label on CKAN 2.11 (shown as text until the CSS applies)
    _("Search Datasets..."),
    _("Profile settings"),
    _("Unfollow"),
    _("Ocs"),
    _("Ocss"),
    # ckanext-activity
    _("{actor} updated the {dataset_type} {dataset}"),
    _("{actor} created the {dataset_type} {dataset}"),
    _("{actor} deleted the {dataset_type} {dataset}"),
    _("View this version"),
    _("All activity types"),
    _("New Package"),
    _("Changed Package"),
    _("Deleted Package"),
    _("Follow Dataset"),
    _("New Resource View"),
    _("Changed Resource View"),
    _("Deleted Resource View"),
    # ckanext-harvest
    _("Harvest Sources"),
    _("Harvest sources"),
    _("Add Harvest Source"),
    _("Search harvest sources..."),
    _("Frequency"),
    _("Type"),
    _("No harvests found"),
    ungettext("{number} harvest found", "{number} harvests found", 1),
    _("No harvests found for \"{query}\""),
    _("There is no description for this harvest source"),
    ungettext("{number} harvest found for \"{query}\"", "{number} harvests found for \"{query}\"", 1),
)
