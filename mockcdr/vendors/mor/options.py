"""MOR options: every inferred or unknown behaviour, with its default (settings, then fixture ``options:``)."""
from __future__ import annotations

# name -> default. the README's MOR fidelity notes explain each one and why it is a guess.
DEFAULTS = {
    "token_ttl_seconds": 900,                 # JWT lifetime: 15 minutes [V]
    "refresh_ttl_seconds": 7 * 24 * 3600,     # refresh token lifetime: 7 days [V]
    "login_token_field": "token",             # login/refresh response field names [U]
    "login_refresh_field": "refresh_token",
    "rotate_refresh_tokens": False,           # refresh returns a new refresh token too [U]
    "jwt_issuer": "MOR API",                  # "iss" claim [U]
    "list_wrapper": "automatic_cdr_exports",  # index body key; "" for a bare array [U]
    "list_default_max_results": None,         # index page size without max_results [U]
    "delete_status": 204,                     # "empty body on success" [U: 200 or 204]
    "put_requires_all": True,                 # PUT validates like create; PATCH is partial [I]
    "reschedule_on_any_update": False,        # every save recomputes next_run_at (M2) [I]
    "accept_iana_timezones": False,           # "Europe/London" besides "London" [U]
    "template_columns_format": "array",       # templates' "columns": array or "a;b;c" string [U]
    "task_extra_fields": True,                # body also shows prefix, archive, e-mail... [U]
    "default_archive_extension": "tgz",       # archive when none is given [I]
    "ftp_path": None,                         # FTP/SFTP paths "configured in MOR" [U]
    "sftp_path": None,
    "csv_separator": ",",                     # owner's CSV_Separator default [I M2]
    "csv_decimal": ".",                       # owner's CSV_Decimal default [I M2]
    "provider_cost_ratio": 0.8,               # terminator price = originator price x this
    "file_name_format": "{prefix}cdr_export_{task_id}_{from}_{till}",   # [U]
}


def opt(rt, name: str):
    return rt.option("mor", name, DEFAULTS[name])
