"""The product's URLs plus the raw-SQL baseline view, for the ticket-list benchmark only."""

from django.urls import path

from bench.baseline import raw_view
from config.urls import urlpatterns as product_urlpatterns

urlpatterns = [path("bench/raw/tickets/", raw_view), *product_urlpatterns]
