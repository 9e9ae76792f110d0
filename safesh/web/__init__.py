"""`safesh serve`: the web page where humans answer approval requests and read the audit trail.

A front end like cli/ and interactive/: it may import the stages (`safesh.store`, `safesh.api`,
`safesh.locations`) and its own modules; no stage imports it. It needs the optional extra
`safesh[web]` (Starlette, uvicorn, Jinja2, python-multipart), imported only when `serve` runs:

* `auth`     - who may use the page: tokens from a file or the environment (or one made for
  this run and printed), a signed session cookie, a CSRF value for every form;
* `views`    - what each page shows, as plain values computed from the store (no web imports);
* `reviews`  - the "needs a look" marks: which notify records a human has looked at;
* `app`      - the Starlette application: routes, templates, live fragments;
* `templates/`, `static/` - the HTML and the small script that keeps the page live.
"""
