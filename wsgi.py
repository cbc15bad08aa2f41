from techfest import create_app

app = create_app()
