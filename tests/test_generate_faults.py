"""Generative mode against faulty and lying local chat servers (real HTTP servers on 127.0.0.1 in a thread):
every generated sentence is held to the words of the passages it cites, and a slow, broken or huge reply
falls back to the extractive answer with a one-line notice, within the timeout for the whole request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant.answer.generate import enforce_citations
from assistant.api import Assistant
from assistant.records import Citation
from assistant.settings import Settings

from .conftest import HashEmbedder

PASSAGE = Citation(
    1,
    "c1",
    "Testshire - Child F",
    "Findings",
    "Police and children's social care did not share what they knew about the child's father.",
)
INVENTED = "The child's father was a convicted murderer and the police ignored 14 warnings [1]."


def test_a_sentence_whose_words_are_not_in_the_cited_passage_is_dropped() -> None:
    """The claim cites [1] and quotes nothing, so the quote check alone kept it."""
    text = f"Agencies did not share what they knew about the father [1]. {INVENTED}"
    cleaned, used = enforce_citations(text, (PASSAGE,))
    assert cleaned == "Agencies did not share what they knew about the father [1]." and [c.n for c in used] == [1]
    assert enforce_citations(INVENTED, (PASSAGE,)) == ("", ())


def test_the_share_of_supported_words_is_the_setting_and_numbers_must_all_be_in_the_passage() -> None:
    no_number = "The child's father was a convicted murderer and the police ignored the warnings [1]."
    assert enforce_citations(no_number, (PASSAGE,), support=0.5)[0] == ""  # 3 of 7 content words are in [1]
    assert enforce_citations(no_number, (PASSAGE,), support=0.4)[0] == no_number
    assert enforce_citations(INVENTED, (PASSAGE,), support=0.0)[0] == ""  # 14 is in no passage, at any share
    assert Settings.from_env({"SCR_LLM_SUPPORT": "0.4"}).llm_support == 0.4


def test_words_must_be_in_the_passage_the_sentence_cites_not_in_another() -> None:
    other = Citation(2, "c2", "Testshire - Baby G", "Learning", "The baby was left alone in the bath.")
    cleaned, used = enforce_citations(
        "The baby was left alone in the bath [1]. The baby was left alone [2].", (PASSAGE, other)
    )
    assert cleaned == "The baby was left alone [2]." and [c.n for c in used] == [2]


class FaultyServer(BaseHTTPRequestHandler):
    """Reads the request, then answers however ``behave`` says, writing raw bytes."""

    behave: Callable[[BaseHTTPRequestHandler], None] = staticmethod(lambda handler: None)
    requests = 0

    def do_POST(self) -> None:  # noqa: N802 - the http.server hook
        self.rfile.read(int(self.headers["Content-Length"]))
        FaultyServer.requests += 1
        try:
            FaultyServer.behave(self)
        except OSError:  # the client gave up and closed the connection
            pass

    def log_message(self, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def faulty_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FaultyServer)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    FaultyServer.requests = 0
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _reply(content: str) -> bytes:
    body = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)


def _drip(whole: bytes, start: int = 0, seconds: float = 15.0) -> Callable[[BaseHTTPRequestHandler], None]:
    """Send ``whole[:start]`` at once, then one byte a second, for at most ``seconds``."""

    def behave(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(whole[:start])
        handler.wfile.flush()
        stop = time.monotonic() + seconds
        for i in range(start, len(whole)):
            if time.monotonic() > stop:
                return
            handler.wfile.write(whole[i : i + 1])
            handler.wfile.flush()
            time.sleep(1.0)

    return behave


def _ask(fake_index: Settings, fake_embedder: HashEmbedder, url: str, timeout: float = 3.0):  # noqa: ANN202
    settings = fake_index.replace(min_relevance=0.0, llm_url=url, llm_timeout=timeout)
    assistant = Assistant.load(settings=settings, embedder=fake_embedder)
    started = time.monotonic()
    answer = assistant.ask("cases involving concealed pregnancy")
    return answer, time.monotonic() - started


def test_an_invented_claim_from_the_server_never_reaches_the_answer(
    fake_index: Settings, fake_embedder: HashEmbedder, faulty_server: str
) -> None:
    extractive = Assistant.load(settings=fake_index.replace(min_relevance=0.0), embedder=fake_embedder)
    quote = extractive.ask("cases involving concealed pregnancy").citations[0].quote
    FaultyServer.behave = staticmethod(lambda h: h.wfile.write(_reply(f'It says "{quote}" [1]. {INVENTED}')))
    answer, _ = _ask(fake_index, fake_embedder, faulty_server)
    assert answer.generated and answer.mode_label.endswith("+generated") and answer.text == f'It says "{quote}" [1].'
    assert "murderer" not in answer.text and "14" not in answer.text


@pytest.mark.parametrize("start", [0, 60], ids=["status-line", "body"])
def test_a_server_that_drips_a_byte_a_second_is_cut_off_at_the_timeout(
    fake_index: Settings, fake_embedder: HashEmbedder, faulty_server: str, start: int
) -> None:
    """A 1-byte-a-second reply held a question for 61 s with SCR_LLM_TIMEOUT=3 (the timeout was per read)."""
    FaultyServer.behave = staticmethod(_drip(_reply("Concealment was missed [1]."), start=start))
    answer, seconds = _ask(fake_index, fake_embedder, faulty_server, timeout=3.0)
    assert seconds < 4.5, f"the question took {seconds:.1f} s with a 3 s timeout"
    assert answer.mode == "cases" and answer.citations  # the extractive answer
    assert answer.notice == (
        f"The language model at {faulty_server} could not be used (no complete reply within 3 s); "
        "this is the extractive answer."
    )


BROKEN = {
    "bad-status-line": (lambda h: h.wfile.write(b"HELLO THERE\r\n\r\n"), "a malformed HTTP reply: BadStatusLine"),
    "error-status": (
        lambda h: h.wfile.write(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"),
        "it answered HTTP 500 Internal Server Error",
    ),
    "truncated": (lambda h: h.wfile.write(_reply("Concealment was missed [1].")[:-10]), "its reply was cut off"),
    "huge": (
        lambda h: (
            [h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n")]
            + [h.wfile.write(b"x" * 1_000_000) for _ in range(50)]
        ),
        "its reply was over 2 MB",
    ),
    "not-json": (
        lambda h: h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"),
        "its reply was not a chat completion",
    ),
    "not-text": (lambda h: h.wfile.write(_reply("x").replace(b'"x"', b'["x"]')), "its reply was not a chat completion"),
    "nested": (
        lambda h: h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + b"[" * 200_000),
        "its reply was not a chat completion",
    ),
    "closed": (lambda h: None, "a malformed HTTP reply: RemoteDisconnected"),
}


@pytest.mark.parametrize("fault", list(BROKEN))
def test_a_broken_reply_falls_back_to_the_extractive_answer_in_one_line(
    fake_index: Settings, fake_embedder: HashEmbedder, faulty_server: str, fault: str
) -> None:
    behave, reason = BROKEN[fault]
    FaultyServer.behave = staticmethod(behave)
    answer, seconds = _ask(fake_index, fake_embedder, faulty_server)
    assert FaultyServer.requests == 1 and seconds < 4.5
    assert answer.mode == "cases" and answer.citations
    assert answer.notice == (
        f"The language model at {faulty_server} could not be used ({reason}); this is the extractive answer."
    )
