import re, pytest
pytestmark = [pytest.mark.django_db(transaction=True)]
from playwright.sync_api import expect
def test_t(page, log_in, world):
    log_in(world.manager_a)
    page.goto("/members/")
    with page.expect_response(lambda r: "q=Teixits" in r.url):
        page.locator("#id_q").press_sequentially("Teixits")
    expect(page).to_have_url(re.compile("q=Teixits"))
    page.get_by_role("link", name=world.org_a.legal_name).click()
    page.wait_for_url("**/organisations/**")
    page.go_back()
    page.wait_for_load_state()
