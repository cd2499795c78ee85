"""Prepares the sandbox for schemathesis and prints the variables tools/schemathesis.toml reads.

Resets the sandbox, takes a LALUX repairer token and an expert token, and creates one incomplete support request and
one claim with the first Ecologic key, so that operations taking an id reach their logic.
Usage: python3 tools/sandbox_fixtures.py SANDBOX_URL  (prints `export NAME=value` lines)
"""

import json
import sys
import urllib.request

REPAIRER = "sandbox-repairer/sandbox-repairer-secret"
EXPERT = "sandbox-expert/sandbox-expert-secret"
API_KEY = "C8E88146-AF8D-4E95-9B76-8C8FFF5A2C9B"
SITE = "02c867c0-0000-0000-000-3cf8de2dc1c8"
ECO = "/ecologic/api/v1/ecosupport"
DOSSIER = {
    "Consumer": {"Title": 1, "LastName": "Test Nom", "FirstName": "Test", "Zip": "78280", "City": "GUYANCOURT",
                 "Country": "250", "Phone": "0600000000", "AutoValidation": True},
    "Product": {"ProductId": "EEE.M5.024", "BrandId": "2194", "SerialNumber": "ABCDE", "IRISSection": "G18"},
    "Quote": {"TotalAmountExclVAT": {"Amount": 100, "Currency": "EUR"},
              "TotalAmountInclVAT": {"Amount": 120, "Currency": "EUR"}},
}


def call(base, method, path, headers=None, body=None, form=None):
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = json.dumps(body).encode()
        headers["content-type"] = "application/json"
    if form is not None:
        data = form.encode()
        headers["content-type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request) as response:
        text = response.read().decode()
        return json.loads(text) if text else None


def main(base):
    call(base, "POST", "/_sandbox/reset")
    repairer = call(base, "POST", "/lalux/wts/token?grant_type=client_credentials&scope=/reparateur", {"authorization": REPAIRER},
                    form="grant_type=client_credentials&scope=/reparateur")["access_token"]
    expert = call(base, "POST", "/lalux/wts/authen?grant_type=password&scope=/expert", {"authorization": EXPERT},
                  form="grant_type=password&username=expert&password=sandbox-expert-password&scope=/expert")["access_token"]
    key = {"api_key": API_KEY}
    request = call(base, "POST", f"{ECO}/createsupportrequest?CallDate=2026-11-20T10:00:00&RepairSiteId={SITE}&QuoteNumber=D-1", key, DOSSIER)
    claim = call(base, "POST", f"{ECO}/createclaim?RepairEndDate=2026-11-20T10:00:00Z&RepairSiteId={SITE}"
                 "&ConsumerInvoiceNumber=F-1", key, DOSSIER)
    for name, value in {
        "LALUX_REPAIRER_AUTH": REPAIRER,
        "LALUX_EXPERT_AUTH": EXPERT,
        "LALUX_REPAIRER_TOKEN": repairer,
        "LALUX_EXPERT_TOKEN": expert,
        "ECOLOGIC_API_KEY": API_KEY,
        "ECOLOGIC_REQUEST_ID": request["ResponseData"]["RequestId"],
        "ECOLOGIC_CLAIM_ID": claim["ResponseData"]["ClaimId"],
    }.items():
        print(f"export {name}='{value}'")


if __name__ == "__main__":
    main(sys.argv[1])
