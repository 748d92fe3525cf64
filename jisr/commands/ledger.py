"""`jisr ledger`: verify the complaints ledger as an oversight body would.

- ``jisr ledger dump --url URL --token T -o feed.json`` saves the oversight feed (every event in
  the token's jurisdiction) and the latest signed checkpoint.
- ``jisr ledger verify --file feed.json --public-key ledger.pem`` checks it offline: every hash
  chain, then the Ed25519 signature of the checkpoint and every chain head it signed.
- ``jisr ledger verify --url URL --token T --public-key ledger.pem`` does the same live.

Get the public key out of band (the ministry publishes it; ``GET /v1/ledger/public-key``): a key
taken from the same place as the data proves nothing. The file may also be one complaint's
ledger (``GET /v1/complaints/{id or reference}/ledger``) or JSON lines of Kafka record values
wrapped as {"type": <ce_type>, "data": <value>}.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import typer

from services.complaints.domain.ledger import load_public_key, verify_feed

app = typer.Typer(help="The complaints ledger: dump and verify.", no_args_is_help=True)
PAGE = 5000


def fetch_dump(url: str, token: str, client: httpx.Client | None = None) -> dict[str, Any]:
    """The whole feed the token may see, page by page, and the latest checkpoint."""
    client = client or httpx.Client(base_url=url, timeout=30)
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
        if len(page["items"]) < PAGE:
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


def read_dump(path: Path) -> dict[str, Any]:
    text = path.read_text()
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return {"items": [json.loads(line) for line in text.splitlines() if line.strip()]}
    if isinstance(document, list):
        return {"items": document}
    return document


def report(dump: dict[str, Any], public_key_file: Path | None) -> int:
    """Print the verdict; the exit code: 0 honest, 1 tampered or unverifiable checkpoint."""
    key = load_public_key(public_key_file.read_text()) if public_key_file else None
    jurisdiction = dump.get("jurisdiction")
    result = verify_feed(
        dump["items"],
        checkpoint=dump.get("checkpoint") if key else None,
        public_key=key,
        governorates=jurisdiction["governorates"] if jurisdiction else None,
        complaints=[dump["complaint_id"]] if dump.get("complaint_id") else None,
    )
    for problem in result.problems:
        typer.echo(f"FAIL {problem}")
    if key is None:
        typer.echo("note: no --public-key given, the signed checkpoint was not checked", err=True)
    elif dump.get("checkpoint") is None:
        typer.echo("note: no signed checkpoint yet; deletions at a chain's end go unseen", err=True)
    else:
        typer.echo(f"checkpoint: {result.checkpoint}")
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
    typer.echo(f"{len(document['items'])} events written to {output}")


@app.command()
def verify(
    file: Path | None = typer.Option(None, exists=True, dir_okay=False, help="A saved dump"),
    url: str | None = typer.Option(None, help="Verify live against this complaints service"),
    token: str | None = typer.Option(None, envvar="JISR_TOKEN", help="Token for --url"),
    public_key: Path | None = typer.Option(
        None, exists=True, dir_okay=False, help="The ledger's Ed25519 public key (PEM)"
    ),
) -> None:
    """Check every hash chain and the signed checkpoint; name each complaint and sequence that
    was deleted, reordered or altered."""
    if (file is None) == (url is None):
        raise typer.BadParameter("give exactly one of --file or --url")
    if url is not None and not token:
        raise typer.BadParameter("--url needs --token (or JISR_TOKEN)")
    if file is not None:
        document = read_dump(file)
    else:
        assert url is not None and token  # checked above
        document = fetch_dump(url, token)
    raise typer.Exit(report(document, public_key))
