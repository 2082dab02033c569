app_name = "changeplans"
urlpatterns: list[object] = []
