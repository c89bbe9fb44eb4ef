"""The INSEE region reference shipped with the extension (pure functions)."""
from ckanext.ocsregistry import regions


def test_official_lists():
    assert len(regions.current_regions()) == 18
    assert len(regions.merged_regions()) == 16
    assert len(regions.pre_2016_regions()) == 27


def test_predecessors_follow_the_2016_merger():
    assert regions.predecessors("76") == ["73", "91"]
    assert regions.predecessors("44") == ["21", "41", "42"]
    assert regions.predecessors("53") == []


def test_covered_pre_2016_codes():
    assert regions.covered_pre_2016_codes("76", []) == ["73", "91"]
    assert regions.covered_pre_2016_codes("76", ["91"]) == ["91"]
    assert regions.covered_pre_2016_codes("53", []) == ["53"]


def test_display_and_accepted_names():
    assert regions.display_name("76", []) == "Occitanie"
    assert regions.display_name("76", ["73", "91"]) == "Occitanie"
    assert regions.display_name("76", ["91"]) == "Occitanie (Languedoc-Roussillon)"
    accepted = regions.accepted_names("76", ["91"])
    assert regions.normalise("LANGUEDOC–roussillon".replace("–", "-")) in accepted
    assert regions.normalise("Occitanie") in accepted
    assert regions.normalise("Bretagne") not in accepted


def test_normalise_ignores_accents_case_and_punctuation():
    assert regions.normalise("Provence-Alpes-Côte d'Azur") == regions.normalise("provence alpes cote d azur")
    assert regions.normalise("Languedoc-Roussillon et Midi-Pyrénées") == "languedoc roussillon midi pyrenees"


def test_bbox_unions_regions():
    lr, mp = regions.bbox(["91"]), regions.bbox(["73"])
    both = regions.bbox(["91", "73"])
    assert both == (min(lr[0], mp[0]), min(lr[1], mp[1]), max(lr[2], mp[2]), max(lr[3], mp[3]))
    assert regions.bbox(["76"]) == both
    assert regions.bbox(["00"]) is None


def test_codes_are_read_from_forms_the_api_and_spreadsheets():
    assert regions.clean_code(" 1 ") == "01" and regions.clean_code(76) == "76"
    assert regions.parse_codes(["76", 1]) == ["76", "01"]
    assert regions.parse_codes('["91", "73"]') == ["91", "73"]
    assert regions.parse_codes("91; 73,  44|  ") == ["91", "73", "44"]
    assert regions.parse_codes(None) == [] and regions.parse_codes("") == []


def test_covered_regions_of_an_unreadable_extra_is_empty():
    assert regions.covered_regions('["44", "76"]') == ["44", "76"]
    assert regions.covered_regions('["44", ') == []


def test_regions_are_listed_in_french_alphabetical_order():
    # "Île-de-France" sorts under I, not after "Provence-Alpes-Côte d'Azur"
    names = [r.name for r in regions.current_regions()]
    assert names.index("Île-de-France") < names.index("La Réunion")
    assert names.index("Hauts-de-France") < names.index("Île-de-France")
    former = [r.name for r in regions.pre_2016_regions()]
    assert former.index("Île-de-France") < former.index("Languedoc-Roussillon")
