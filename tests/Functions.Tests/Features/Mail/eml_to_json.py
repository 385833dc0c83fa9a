"""Parses an .eml file with Python's standard email package (an independent MIME parser) and
prints JSON: decoded headers, and each leaf part's content type, charset, transfer encoding and
decoded text. Usage: eml_to_json.py FILE"""
import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as f:
    raw = f.read()
message = email.message_from_bytes(raw, policy=email.policy.default)
result = {
    "headers": {name: str(value) for name, value in message.items()},
    "raw_headers": {name: value for name, value in email.message_from_bytes(raw, policy=email.policy.compat32).items()},
    "content_type": message.get_content_type(),
    "defects": [type(d).__name__ for d in message.defects],
    "parts": [
        {
            "content_type": part.get_content_type(),
            "charset": part.get_content_charset(),
            "transfer_encoding": part.get("Content-Transfer-Encoding"),
            "text": part.get_content(),
            "defects": [type(d).__name__ for d in part.defects],
        }
        for part in message.walk()
        if not part.is_multipart()
    ],
    "max_line_length": max(len(line) for line in raw.split(b"\r\n")),
    "only_crlf": b"\n" not in raw.replace(b"\r\n", b""),
    "ascii": all(b < 128 for b in raw),
}
print(json.dumps(result, ensure_ascii=False))
