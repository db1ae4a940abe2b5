"""Does the product start, and can each demo role open its start page?"""


def test_home_anonymous(app, db):
    """Does the start page answer without a login?"""
    client = app.test_client()
    resp = client.get("/")
    assert resp.status_code == 200


def test_login_page_in_kazakh_and_kyrgyz(app, db):
    """Does the login page speak Kazakh and Kyrgyz?"""
    client = app.test_client()
    kk = client.get("/login/?_l_=kk").get_data(as_text=True)
    ky = client.get("/login/?_l_=ky").get_data(as_text=True)
    assert "Құпиясөз" in kk
    assert "Сырсөз" in ky
