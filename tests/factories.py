"""factory-boy factories for the foundation: areas, users, roles."""

import factory

from accounts.models import Role, User
from grids.choices import AreaLevel
from grids.models import Area

DEMO_PASSWORD = "test-pass-2026"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"区划{n}")
    level = AreaLevel.VILLAGE
    code = factory.Sequence(lambda n: f"610222101{200 + n:03d}")
    parent = None


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = "mediator"
    area = factory.SubFactory(AreaFactory)
