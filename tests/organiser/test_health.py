"""/healthz reports the database and the job queue."""


def test_healthz_reports_a_queue_that_does_not_answer(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json["database"] == "ok"
    assert response.json["queue"].startswith("error")
