"""Test data builders. Tickets and messages are made through the services, as in production."""

from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from tickets import services
from tickets.models import Category, Channel, Customer, RoutingRule, Team, Ticket

User = get_user_model()
PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.LazyAttribute(lambda u: u.username.title())
    password = factory.django.Password(PASSWORD)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    class Params:
        with_user = False

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    name = factory.Faker("name")
    uid = factory.Sequence(lambda n: str(40000000 + n))
    anti_phishing_code = "BLUE-OWL-42"
    user = factory.Maybe(
        "with_user",
        yes_declaration=factory.SubFactory(
            UserFactory,
            username=factory.SelfAttribute("..email"),
            email=factory.SelfAttribute("..email"),
        ),
        no_declaration=None,
    )


@dataclass
class Desk:
    deposits: Team
    security: Team
    kyc: Team
    api: Team
    general: Team


def make_desk() -> Desk:
    teams = {
        slug: Team.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name in [
            ("deposits-withdrawals", "Deposits & Withdrawals"),
            ("account-security", "Account Security"),
            ("kyc-compliance", "KYC & Compliance"),
            ("api-trading", "API & Trading"),
            ("general", "General"),
        ]
    }
    routes = {
        Category.DEPOSIT: "deposits-withdrawals",
        Category.WITHDRAWAL: "deposits-withdrawals",
        Category.SECURITY: "account-security",
        Category.ACCOUNT: "account-security",
        Category.KYC: "kyc-compliance",
        Category.API: "api-trading",
        Category.TRADING: "api-trading",
        Category.OTHER: "general",
    }
    for category, slug in routes.items():
        RoutingRule.objects.update_or_create(category=category, defaults={"team": teams[slug]})
    return Desk(
        deposits=teams["deposits-withdrawals"],
        security=teams["account-security"],
        kyc=teams["kyc-compliance"],
        api=teams["api-trading"],
        general=teams["general"],
    )


def make_agent(username: str, *, team: Team | None, role: str) -> User:
    user = UserFactory(username=username, is_staff=True)
    if team is not None:
        services.team_add_agent(team=team, agent=user, role=role, acting_user=None)
    else:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_ticket(
    *,
    customer: Customer,
    category: str = Category.DEPOSIT,
    subject: str = "USDT deposit not credited",
    body: str = "I sent 250 USDT over TRC-20 two hours ago and it is not in my account.",
    channel: str = Channel.WEB,
    **fields: object,
) -> Ticket:
    return services.ticket_create(
        customer=customer,
        subject=subject,
        body=body,
        category=category,
        channel=channel,
        acting_user=customer.user,
        **fields,
    )
