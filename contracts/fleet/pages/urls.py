from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.vehicle_list, name="vehicles"),
    path("pojazd/<int:pk>/", views.vehicle_detail, name="vehicle"),
    path("serwis/", views.service_list, name="service"),
    path("paliwo/", views.fuel_list, name="fuel"),
    path("szkody/", views.damage_list, name="damages"),
    path("koszty/", views.cost_list, name="costs"),
    # Excel reports of the lists; they take the list's current filters.
    path("eksport.xlsx", views.vehicles_xlsx, name="vehicles_xlsx"),
    path("serwis/eksport.xlsx", views.service_xlsx, name="service_xlsx"),
    path("paliwo/eksport.xlsx", views.fuel_xlsx, name="fuel_xlsx"),
    path("szkody/eksport.xlsx", views.damages_xlsx, name="damages_xlsx"),
    path("koszty/eksport.xlsx", views.costs_xlsx, name="costs_xlsx"),
]
