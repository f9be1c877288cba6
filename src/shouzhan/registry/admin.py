from django.contrib import admin

from shouzhan.registry.models import Enterprise, Patent, Person, Project


class ProjectInline(admin.TabularInline):
    model = Project
    extra = 0
    fields = [
        "kind",
        "title",
        "year",
        "rd_investment_fen",
        "self_developed",
        "market_recognized",
        "excellent",
    ]


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["name", "title", "mobile", "email"]


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "credit_code",
        "district",
        "sector",
        "stage",
        "is_one_person_company",
        "in_cluster",
    ]
    list_filter = ["district", "sector", "stage", "is_one_person_company", "in_cluster", "is_startup"]
    search_fields = ["name", "credit_code", "legal_representative"]
    inlines = [PersonInline, ProjectInline]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "enterprise", "birth_year"]
    search_fields = ["name", "mobile", "email"]
    raw_id_fields = ["enterprise", "user"]


@admin.register(Patent)
class PatentAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "field", "status", "holder_person", "holder_enterprise"]
    list_filter = ["status", "field"]
    search_fields = ["number", "title"]
    raw_id_fields = ["holder_person", "holder_enterprise"]
