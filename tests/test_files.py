"""safeguard.files: what a file is, as the attachment check and the pupil import both read it.

Each rule is also pinned through its callers (tests/test_uploads.py,
tests/test_pupil_import_page.py, tests/test_import_pupils.py); these name the ones no caller's
test reaches.
"""

import io

import pytest

from safeguard import files


@pytest.mark.parametrize(
    ("limit", "said"),
    [(10 * 1024 * 1024, "10 MB"), (5 * 1024 * 1024, "5 MB"), (512 * 1024, "512 KB")],
)
def test_a_size_limit_is_said_in_megabytes_or_below_one_in_kilobytes(limit, said):
    assert files.size_text(limit) == said


def test_a_short_signature_counts_only_for_bytes_that_are_not_text():
    prose = b"BMX club: Amelia missed practice again.\n"

    assert files.signatures(prose, text=True) == []
    assert files.signatures(prose, text=False)


def test_the_head_may_end_part_way_through_a_character_and_still_be_text():
    assert files.is_text("a’".encode()[:-1])
    assert not files.is_text(b"a\x00b")
    assert not files.is_text(b"caf\xe9 ")


def test_reading_the_head_leaves_the_file_at_its_start():
    f = io.BytesIO(b"x" * (files.HEAD_BYTES + 10))
    f.seek(5)

    assert len(files.read_head(f)) == files.HEAD_BYTES
    assert f.tell() == 0
