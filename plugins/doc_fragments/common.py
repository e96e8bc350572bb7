# -*- coding: utf-8 -*-
# Copyright: hwcloud.tasks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Connection, authentication and response handling shared by every module.
    # The argument spec these describe is COMMON_ARGUMENT_SPEC in module_utils/declaration.py.
    DOCUMENTATION = r"""
options:
  region:
    description:
      - Huawei Cloud region whose public endpoint the module calls, for example V(cn-north-4).
      - Ignored for the service call when O(endpoint) is set; still used to find IAM when O(iam_endpoint) is not set.
      - If not set, the value of the E(HW_REGION_NAME) environment variable is used.
      - One of O(region) or O(endpoint) is required.
    type: str
  project_id:
    description:
      - ID of the project the tasks belong to (32 hexadecimal characters), for example V(0a1b2c3d4e5f60718293a4b5c6d7e8f9).
      - If not set, the value of E(HUAWEICLOUD_SDK_PROJECT_ID), then E(HW_PROJECT_ID), is used.
    type: str
    required: true
  endpoint:
    description:
      - Base URL of the service, overriding the public host derived from O(region),
        for example V(https://vias.cn-north-4.myhuaweicloud.com) or a private cloud, proxy or test server.
    type: str
  auth_token:
    description:
      - A ready IAM token, sent as C(X-Auth-Token). It is never renewed; when it expires the module fails and says so.
      - Takes precedence over AK/SK and password authentication.
      - Example V({{ lookup('ansible.builtin.env', 'MY_TOKEN'\) }}).
    type: str
  access_key:
    description:
      - Access key ID for AK/SK request signing (C(SDK-HMAC-SHA256)), for example V(QTWAOYTTINDUT2QVKYUC).
      - Used when O(auth_token) is not set. Requires O(secret_key).
      - If not set, the value of E(HUAWEICLOUD_SDK_AK), then E(HW_ACCESS_KEY), is used.
    type: str
  secret_key:
    description:
      - Secret access key for AK/SK request signing. Never logged or returned.
      - If not set, the value of E(HUAWEICLOUD_SDK_SK), then E(HW_SECRET_KEY), is used.
      - Example V({{ vault_hwcloud_secret_key }}).
    type: str
  security_token:
    description:
      - Security token of temporary AK/SK credentials, sent as C(X-Security-Token) and signed.
      - If not set, the value of E(HUAWEICLOUD_SDK_SECURITY_TOKEN), then E(HW_SECURITY_TOKEN), is used.
      - Example V({{ vault_hwcloud_security_token }}).
    type: str
  user_name:
    description:
      - IAM user name for password authentication, for example V(deploy-bot).
      - Used when neither O(auth_token) nor AK/SK are set; the module gets one token from IAM per run
        and gets a new one once if it expires during the run.
      - If not set, the value of E(HW_USER_NAME) is used.
    type: str
  password:
    description:
      - Password of O(user_name). Never logged or returned.
      - If not set, the value of E(HW_PASSWORD) is used.
      - Example V({{ vault_hwcloud_password }}).
    type: str
  domain_name:
    description:
      - Account (domain) name that O(user_name) belongs to, for example V(my-company).
      - If not set, the value of E(HW_DOMAIN_NAME) is used.
    type: str
  iam_endpoint:
    description:
      - Base URL of IAM for password authentication, for example V(https://iam.cn-north-4.myhuaweicloud.com).
      - A trailing C(/v3), as in the Terraform provider's auth URL, is accepted.
      - If not set, the value of E(HUAWEICLOUD_SDK_IAM_ENDPOINT), then E(HW_AUTH_URL), is used;
        otherwise the IAM host of O(region), otherwise V(https://iam.myhuaweicloud.com).
    type: str
  validate_certs:
    description:
      - Whether to verify the server's TLS certificate. Set V(false) only for a test server you trust;
        the module then warns.
      - Example V(true).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file of the CA certificates that signed the server's certificate, for private clouds and test servers,
        for example V(/etc/pki/private-cloud-ca.pem).
      - Without it the system's trust store is used.
    type: path
  timeout:
    description:
      - Seconds one attempt of a request may take, from connecting to the last byte of the answer (connecting, sending,
        waiting for the answer and reading all of it). An attempt that takes longer is cut (even from a server that keeps
        sending a byte now and then) and counts as a failure that O(retries) may try again, for example V(30).
      - While waiting (O(wait_for)), no attempt runs past the end of O(wait_timeout).
    type: int
    default: 30
  retries:
    description:
      - How many times a request is tried again after a server error (500, 502, 503, 504), a connection failure,
        a timeout or a body that is not JSON, for example V(4). Each retry waits with jittered exponential backoff.
      - Throttled requests (HTTP 429) do not count against it; they are retried until O(retry_timeout) runs out.
      - Other client errors (400, 401, 403, 404) and redirects are never retried.
    type: int
    default: 4
  retry_timeout:
    description:
      - Seconds a request may keep being retried, counted from its first attempt; no retry starts after it, for example
        V(120).
      - A throttled request (HTTP 429, C(APIGW.0308)) waits at least what the server's C(Retry-After) asks (2-5 s when it
        asks nothing), plus a random share that grows with each throttle, so that many hosts under one account quota
        do not return in one wave. A C(Retry-After) longer than what is left fails at once and says so.
      - While waiting (O(wait_for)), the end of O(wait_timeout) comes first when it is sooner.
    type: int
    default: 120
  max_response_size:
    description:
      - The largest answer the module reads, counted after decompression, as bytes or with a unit, for example V(64M)
        or V(200M). A larger answer (or a compressed one that would inflate past it) fails and names this option.
      - The default is far above the largest page of these APIs (200 VIAS batch tasks or 100 HiLens tasks take well
        under 1 MB); raise it only for O(ignore:is_paged=false) on a very large account.
      - A number is bytes; a text takes the units of Ansible's C(human_to_bytes) (V(512K), V(64M), V(1G)), from 1024
        bytes to 1G.
    type: raw
    default: 64M
  schema_validation:
    description:
      - What to do when a response does not match the JSON Schema written from the vendor's documentation.
      - V(strict) fails with the JSON path and the offending value; V(warn) returns the data with a warning;
        V(off) skips validation.
      - Quote V('off') in YAML, where a bare V(off) is read as a boolean.
      - Example V(warn).
    type: str
    choices: [strict, warn, 'off']
    default: strict
notes:
  - Authentication is chosen by what is set, options and environment together, in this order
    O(auth_token), then O(access_key) and O(secret_key), then O(user_name), O(password) and O(domain_name).
  - A task that runs on the controller through the local connection (a play on V(localhost), or a task delegated to it)
    runs in the controller's own process, without shipping the module, which costs a few hundredths of a second instead
    of a few tenths. Any other task (another host, C(become), C(async)), and every task when the variable
    C(hwcloud_tasks_in_process) is V(false) (or, when it is not set, the environment variable
    E(HWCLOUD_TASKS_IN_PROCESS) of the controller), ships the module as usual. Both paths validate the same options and
    return the same results.
  - Options may be set for every module at once with C(module_defaults) and the action group
    C(group/hwcloud.tasks.hwcloud).
requirements:
  - requests >= 2.28
  - jsonschema >= 4.17
"""

    # Options of the modules that read a list API page by page.
    LIST = r"""
options:
  page_concurrency:
    description:
      - How many pages are fetched at once after the first page has told the total, for example V(4).
      - V(1) reads the pages one after another. Lower it when the account's API request quota is small; a page the
        API throttles (HTTP 429) is retried on its own after a backoff, so a low quota slows the read but does not
        break it.
    type: int
    default: 16
  max_pages:
    description:
      - The most pages the module reads in one run; a query that needs more fails before reading them
        and says how many it would need. Guards against a server that never stops.
      - Pages overlap so that a list that moves while it is read is caught (each page after the first starts on the
        last record of the page before), so a list of N records takes a few more pages than N divided by the page
        size; a list that moved is read again, at most twice.
      - Example V(2000).
    type: int
    default: 1000
  fields:
    description:
      - Keep only these top-level fields of each item (plus its id and C(phase)) to keep facts small on big accounts,
        for example V([name, state]).
      - All fields are kept when not set.
    type: list
    elements: str
  summary:
    description:
      - Also return C(summary), the number of items by phase and by raw state.
      - Example V(true).
    type: bool
    default: false
  wait_min_count:
    description:
      - With O(wait_for) or O(wait_for_states), the number of items that must exist before the wait can succeed,
        for a deployment whose tasks are still being created, for example V(10).
      - The default V(1) keeps an empty selection from passing a wait; set V(0) to accept one.
    type: int
    default: 1
  return_items:
    description:
      - Return the items themselves. Set V(false) with O(summary=true) when only the counts are needed,
        for example in a verification step.
      - Example V(false).
    type: bool
    default: true
"""

    # Waiting until the selected items reach the phases wanted, inside one module run.
    WAIT = r"""
options:
  wait_for:
    description:
      - Wait until every selected item is in one of these phases, for example V([running]) or V([running, succeeded]).
      - The module polls in one run, with one O(wait_timeout) for the whole selection, and returns RV(ignore:wait)
        with how long it waited and each item's phase transitions.
      - An empty list (the default) does not wait.
    type: list
    elements: str
    choices: [pending, running, succeeded, failed, stopped, unknown]
    default: []
  wait_for_states:
    description:
      - Wait until every selected item is in one of these raw states (as the API spells them, any case),
        for example V([RUNNING]). An item already in a phase of O(wait_for) also counts.
      - For a VIAS batch, all its tasks must be in these states; for a HiLens task, all its pods.
      - Unknown states are refused, so that a typing error cannot make the module wait until the timeout.
    type: list
    elements: str
    default: []
  fail_on:
    description:
      - Phases that end the wait at once as a failure that lists every item in them, for example V([failed, stopped]).
    type: list
    elements: str
    choices: [pending, running, succeeded, failed, stopped, unknown]
    default: [failed]
  wait_timeout:
    description:
      - Seconds to wait for the whole selection (1-86400, fractions allowed), for example V(600). The module then fails
        and lists the items not yet in a wanted phase, with their raw state; a wait whose last read of a list was
        incomplete fails as V(incomplete) instead, since no verdict can be given on it.
    type: float
    default: 300
  wait_sleep:
    description:
      - Seconds from the start of one poll to the start of the next, for example V(10); the polls keep this cadence
        however long each takes, and one that takes longer than this is followed by the next at once.
      - A poll that is throttled, fails, or reads a list that is not consistent is retried at the next one; the last
        poll starts in time to end by O(wait_timeout). A wait whose first read gets no answer at all (connection
        refused, unknown host) fails after that read's retries instead of waiting out O(wait_timeout).
    type: int
    default: 5
  wait_progress:
    description:
      - While waiting, print a line with the time waited and the items by phase at most every this many seconds,
        for example V(60). V(0) prints none.
      - Only a task that runs on the controller in process can print while it runs (see the notes); a module shipped
        elsewhere cannot, by the way Ansible runs modules, and prints nothing until it ends. The role
        hwcloud.tasks.assert_task_states runs its wait this way.
    type: int
    default: 30
"""
