from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Keeping a child's file for as long as the law asks: review dates, legal holds"
