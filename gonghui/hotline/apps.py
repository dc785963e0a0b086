from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "gonghui.hotline"
    label = "hotline"
    verbose_name = "12351职工热线"
