"""`jisr ledger`: verify the complaints ledger as an oversight body (or a complainant) would.

- ``jisr ledger dump --url URL --token T -o feed.json`` saves the oversight feed (every event in
  the token's jurisdiction in full, the leaves of the others, the signed checkpoints in it) and
  the latest signed checkpoint.
- ``jisr ledger verify --file feed.json --public-key ledger.pem --state seen.json`` checks it
  offline: every complaint's hash chain; the Merkle tree rebuilt from the feed against the root
  of every signed checkpoint (in the feed, the latest, and every one in the state file: seen
  before); the signatures; that checkpoints follow each other; that no two signed trees of one
  size differ (a fork). The state file then remembers the checkpoints and chain heads seen.
- ``jisr ledger verify --url URL --token T --public-key ledger.pem --state seen.json`` does the
  same live, and also checks the service's RFC 9162 consistency proof from every checkpoint
  seen before to the latest.
- ``--compare other.json``: another body's state file (e.g. exchanged by e-mail): a log that
  showed the two bodies different trees is caught as a fork.

Get the public key out of band (the ministry publishes it; ``GET /v1/ledger/public-key``): a key
taken from the same place as the data proves nothing. The file may also be one complaint's
ledger (``GET /v1/complaints/{id or reference}/ledger``: its chain and the inclusion proof of
its latest event under the latest checkpoint) or JSON lines of Kafka record values wrapped as
{"type": <ce_type>, "data": <value>} (chains only: Kafka has no leaf indexes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import typer

from services.complaints.domain.ledger import Head, load_public_key, verify_document

app = typer.Typer(help="The complaints ledger: dump and verify.", no_args_is_help=True)
PAGE = 5000


def fetch_dump(url: str, token: str, client: httpx.Client | None = None) -> dict[str, Any]:
    """The whole feed the token may see, page by page, and the latest checkpoint."""
    client = client or httpx.Client(base_url=url, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    items: list[dict] = []
    cursor, jurisdiction = 0, None
    while True:
        response = client.get(
            "/v1/oversight/feed", params={"after": cursor, "limit": PAGE}, headers=headers
        )
        response.raise_for_status()
        page = response.json()
        items += page["items"]
        jurisdiction = page.get("jurisdiction")
        if page["next_cursor"] == cursor:
            break
        cursor = page["next_cursor"]
    checkpoint = client.get("/v1/ledger/checkpoint", headers=headers)
    if checkpoint.status_code not in (200, 404):
        checkpoint.raise_for_status()
    return {
        "items": items,
        "jurisdiction": jurisdiction,
        "checkpoint": checkpoint.json() if checkpoint.status_code == 200 else None,
    }


def fetch_consistency(
    url: str, token: str, sizes: Iterable[int], latest: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The service's consistency proofs from each seen size to the latest checkpoint's."""
    if latest is None:
        return []
    second = Head.of(latest).tree_size
    proofs = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for first in sorted(set(sizes)):
            if first >= second:
                continue
            response = client.get(
                "/v1/ledger/consistency",
                params={"first": first, "second": second},
                headers={"Authorization": f"Bearer {token}"},
            )
            if response.status_code == 200:
                proofs.append(response.json())
    return proofs


def read_dump(path: Path) -> dict[str, Any]:
    text = path.read_text()
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return {
            "items": [json.loads(line) for line in text.splitlines() if line.strip()],
            "complaint_id": "-",
        }
    if isinstance(document, list):
        return {"items": document, "complaint_id": "-"}
    return document


def read_state(path: Path | None) -> dict[str, Any]:
    if path is None or not path.exists():
        return {"checkpoints": [], "heads": {}}
    state = json.loads(path.read_text())
    return {"checkpoints": state.get("checkpoints", []), "heads": state.get("heads", {})}


def write_state(path: Path, state: dict[str, Any], seen: Iterable[dict], heads: dict) -> None:
    known = {c["body"]: c for c in state["checkpoints"]}
    for checkpoint in seen:
        known.setdefault(checkpoint["body"], {k: checkpoint[k] for k in ("body", "signature")})
    merged = {**state["heads"], **heads}
    path.write_text(json.dumps({"checkpoints": list(known.values()), "heads": merged}, indent=1))


def report(
    dump: dict[str, Any],
    public_key_file: Path | None,
    state_file: Path | None = None,
    compare: Iterable[Path] = (),
) -> int:
    """Print the verdict; the exit code: 0 honest, 1 tampered or unverifiable checkpoint."""
    key = load_public_key(public_key_file.read_text()) if public_key_file else None
    state = read_state(state_file)
    others = [c for path in compare for c in read_state(path)["checkpoints"]]
    result = verify_document(
        dump,
        public_key=key,
        seen=[*state["checkpoints"], *others],
        seen_heads=state["heads"],
    )
    for problem in result.problems:
        typer.echo(f"FAIL {problem}")
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    if key is None:
        typer.echo("note: no --public-key given, the signed checkpoints were not checked", err=True)
    elif dump.get("checkpoint") is None:
        typer.echo("note: no signed checkpoint yet; deletions at a chain's end go unseen", err=True)
    else:
        typer.echo(f"checkpoint: {result.checkpoint}")
        typer.echo(f"checkpoints verified against the tree: {result.checkpoints_checked}")
    if state_file is not None and key is not None:
        write_state(state_file, state, result.seen, result.heads if result.ok else {})
    verdict = "OK" if result.ok else "TAMPERED"
    typer.echo(f"{verdict}: {result.chains} complaints, {result.entries} ledger entries checked")
    return 0 if result.ok else 1


@app.command()
def dump(
    url: str = typer.Option(..., help="The complaints service, e.g. http://localhost:8001"),
    token: str = typer.Option(..., envvar="JISR_TOKEN", help="An oversight (or staff) token"),
    output: Path = typer.Option(Path("ledger-feed.json"), "-o", "--output"),
) -> None:
    """Save the feed and the latest signed checkpoint to a file, to verify offline."""
    document = fetch_dump(url, token)
    output.write_text(json.dumps(document, ensure_ascii=False))
    typer.echo(f"{len(document['items'])} feed items written to {output}")


@app.command()
def verify(
    file: Path | None = typer.Option(None, exists=True, dir_okay=False, help="A saved dump"),
    url: str | None = typer.Option(None, help="Verify live against this complaints service"),
    token: str | None = typer.Option(None, envvar="JISR_TOKEN", help="Token for --url"),
    public_key: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="The ledger's Ed25519 public key (PEM)"
    ),
    state: Path | None = typer.Option(
        None,
        dir_okay=False,
        help="Checkpoints and chain heads seen before (read, then updated); keep it between runs",
    ),
    compare: list[Path] = typer.Option(
        [], exists=True, dir_okay=False, help="Another body's state file, to detect a fork"
    ),
) -> None:
    """Check every hash chain, the Merkle tree against every signed checkpoint and the
    signatures; name each complaint and sequence that was deleted, reordered or altered, a
    truncation behind a checkpoint seen before, and a forked log."""
    if (file is None) == (url is None):
        raise typer.BadParameter("give exactly one of --file or --url")
    if url is not None and not token:
        raise typer.BadParameter("--url needs --token (or JISR_TOKEN)")
    if file is not None:
        document = read_dump(file)
    else:
        assert url is not None and token  # checked above
        document = fetch_dump(url, token)
        seen = [Head.of(c).tree_size for c in read_state(state)["checkpoints"]]
        document["consistency"] = fetch_consistency(url, token, seen, document["checkpoint"])
    raise typer.Exit(report(document, public_key, state, compare))
