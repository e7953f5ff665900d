"""The `scraper parse` command: one file -> one JSON object, several -> JSON lines in order, '-' reads stdin."""
from __future__ import annotations

import json

from click.testing import CliRunner

from scraper.cli import main

# Hand-written minimal WordPress-like pages (not captured from a live site).
PAGE = ('<html lang="en-US"><head><link rel="canonical" href="https://s.example/{slug}/"></head>'
        '<body class="single postid-{id}"><article id="post-{id}"><h1 class="entry-title">Post {id}</h1>'
        '<div class="entry-content"><p>Body {id}.</p></div></article></body></html>')


def write_pages(tmp_path, count):
    paths = []
    for number in range(1, count + 1):
        path = tmp_path / f"p{number}.html"
        path.write_text(PAGE.format(slug=f"p{number}", id=number), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_one_file_prints_one_json_object(tmp_path):
    result = CliRunner().invoke(main, ["parse", *write_pages(tmp_path, 1)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["title"] == "Post 1" and record["wp_id"] == 1 and record["url"] == "https://s.example/p1/"
    assert record["body_text"] == "Body 1."


def test_several_files_print_json_lines_in_order(tmp_path):
    result = CliRunner().invoke(main, ["parse", *write_pages(tmp_path, 3)])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["wp_id"] for line in result.output.splitlines()] == [1, 2, 3]


def test_stdin_and_url_option(tmp_path):
    page = PAGE.format(slug="x", id=9).replace('<link rel="canonical" href="https://s.example/x/">', "")
    result = CliRunner().invoke(main, ["parse", "--url", "https://given.example/x/", "-"], input=page)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["url"] == "https://given.example/x/"


def test_format_jsonl_for_one_file(tmp_path):
    result = CliRunner().invoke(main, ["parse", "--format", "jsonl", *write_pages(tmp_path, 1)])
    assert len(result.output.strip().splitlines()) == 1


def test_unreadable_file_is_reported_and_the_others_still_parsed(tmp_path):
    paths = write_pages(tmp_path, 2)
    result = CliRunner().invoke(main, ["parse", paths[0], str(tmp_path / "missing.html"), paths[1]])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert [json.loads(line)["wp_id"] for line in lines] == [1, 2]
    assert "missing.html" in result.stderr


def test_format_json_with_several_files_prints_one_json_array(tmp_path):
    result = CliRunner().invoke(main, ["parse", "--format", "json", *write_pages(tmp_path, 3)])
    assert result.exit_code == 0, result.output
    assert [record["wp_id"] for record in json.loads(result.output)] == [1, 2, 3]


def test_url_with_several_files_is_refused(tmp_path):
    result = CliRunner().invoke(main, ["parse", "--url", "https://s.example/x/", *write_pages(tmp_path, 2)])
    assert result.exit_code == 2 and "one FILE" in result.output


def test_stdin_twice_is_refused():
    result = CliRunner().invoke(main, ["parse", "-", "-"], input="<p>x</p>")
    assert result.exit_code == 2 and "once" in result.output
