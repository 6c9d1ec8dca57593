"""The team's dashboard loads against the lab's index once their documents are in it."""


def test_the_team_dashboard_loads_with_data(empty_clickstream_lab):
    lab = empty_clickstream_lab
    lab.generate(20, seed=3)
    lab.wait_accounted(20, timeout=180)
    rows = lab.check_dashboards()
    assert [row["title"] for row in rows] == ["Documents by pipeline"]
    assert rows[0]["hits"] > 0
