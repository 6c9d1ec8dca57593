"""The team's new field arrives on every document, and a line their ETL cannot parse is kept
in Firehose's failure output, not lost."""
PIPELINE = "team-etl-v2"


def test_every_generated_line_arrives_with_the_new_field(empty_clickstream_lab):
    lab = empty_clickstream_lab
    lab.generate(40, seed=7)
    done = lab.wait_accounted(40, timeout=180)
    assert done.indexed == 40, done
    documents = lab.documents()
    assert len(documents) == 40
    assert {document.get("pipeline") for document in documents} == {PIPELINE}
    assert all(document.get("response") for document in documents)


def test_a_malformed_line_ends_in_the_processing_failed_output(empty_clickstream_lab):
    lab = empty_clickstream_lab
    malformed = b"this is not an Apache access log line"
    lab.append_lines([malformed])
    done = lab.wait_accounted(1, timeout=180)
    assert done.processing_failed == 1, done
    records = lab.failed_records("processing_failed")
    assert [record["line"].rstrip(b"\n") for record in records] == [malformed]
    assert records[0]["errorCode"]
    assert lab.documents() == []
