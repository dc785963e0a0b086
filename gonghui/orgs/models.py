"""The union tree and the enterprises (单位) that grassroots unions cover.

The tree is a materialised path of ids (``/1/7/42/``): a subtree is one ``startswith``
on an indexed column, which is how every scoped query in gonghui filters by org.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from gonghui.core.models import BaseModel
from gonghui.core.scope import ScopedQuerySet


class OrgKind(models.TextChoices):
    CITY = "city", _("市总工会")
    COUNTY = "county", _("县区总工会")
    TOWNSHIP = "township", _("乡镇/街道工会")
    PARK = "park", _("园区工会")
    INDUSTRY = "industry", _("产业/行业工会")
    GRASSROOTS = "grassroots", _("基层工会")


# What may sit under what; a tree built by hand or imported must respect it.
ALLOWED_CHILDREN: dict[str, set[str]] = {
    "city": {"county", "park", "industry", "grassroots"},
    "county": {"township", "park", "industry", "grassroots"},
    "township": {"grassroots", "park", "industry"},
    "park": {"grassroots"},
    "industry": {"grassroots"},
    "grassroots": set(),
}


class OrgSector(models.TextChoices):
    """The line of work of an industry or park union, so that report figures count, say, the
    chemical-industry unions from a field rather than by matching names."""

    CHEMICAL = "chemical", _("化工")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("卫生健康")
    TRANSPORT = "transport", _("交通运输")
    FINANCE = "finance", _("金融")
    LOGISTICS = "logistics", _("物流")
    ECOMMERCE = "ecommerce", _("电子商务")
    CONSTRUCTION = "construction", _("建筑")
    MANUFACTURING = "manufacturing", _("制造")


class OrgQuerySet(ScopedQuerySet["Org"]):
    def subtree_of(self, org: Org) -> OrgQuerySet:
        return self.filter(path__startswith=org.path)


class Org(BaseModel):
    scope_field = "id"
    # Lawyers and counsellors still need to see the tree they work in.
    scope_assignee_sees_subtree = True

    code = models.CharField(_("组织代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=OrgKind.choices)
    sector = models.CharField(_("产业领域"), max_length=16, choices=OrgSector.choices, blank=True)
    region_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级组织"),
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    chair = models.CharField(_("工会主席"), max_length=50, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(_("职工人数"), default=0)
    active = models.BooleanField(_("有效"), default=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("工会组织")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="org_uscc_unique"
            ),
        ]
        indexes = [
            # children of a node in the tree page
            models.Index(fields=["parent", "name"], name="org_children"),
            # filter by kind within a subtree (report figures)
            models.Index(fields=["kind", "path"], name="org_kind_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("orgs:detail", args=[self.code])

    @classmethod
    def scope_member(cls, user: Any) -> models.Q:
        return models.Q(pk=user.org_id)

    def is_ancestor_of(self, other: Org) -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> OrgQuerySet:
        ids = [int(p) for p in self.path.strip("/").split("/")[:-1] if p]
        return Org.objects.filter(id__in=ids).order_by("depth")


class UnitCategory(models.TextChoices):
    """单位性质, the codes of the member-registry standard (DOMAIN.md)."""

    STATE = "110", _("国有")
    COLLECTIVE = "120", _("集体")
    COOP = "130", _("股份合作")
    JOINT = "140", _("联营")
    STATE_SOLE = "151", _("国有独资公司")
    OTHER_LLC = "159", _("其他有限责任公司")
    STATE_HOLDING = "161", _("国有控股股份有限公司")
    OTHER_SHARE = "169", _("其他股份有限公司")
    PRIVATE = "170", _("私营")
    OTHER_DOMESTIC = "190", _("其他内资")
    HMT = "200", _("港澳台商投资")
    FOREIGN = "300", _("外商投资")
    INSTITUTION = "400", _("事业单位")
    ORGAN = "500", _("机关")
    INDIVIDUAL = "600", _("个体")
    NONPROFIT = "700", _("民办非企业")


class Industry(models.TextChoices):
    """国民经济行业门类 (GB/T 4754-2017), 20 sections."""

    A = "A", _("农、林、牧、渔业")
    B = "B", _("采矿业")
    C = "C", _("制造业")
    D = "D", _("电力、热力、燃气及水生产和供应业")
    E = "E", _("建筑业")
    F = "F", _("批发和零售业")
    G = "G", _("交通运输、仓储和邮政业")
    H = "H", _("住宿和餐饮业")
    I = "I", _("信息传输、软件和信息技术服务业")  # noqa: E741 - the standard's letter
    J = "J", _("金融业")
    K = "K", _("房地产业")
    L = "L", _("租赁和商务服务业")
    M = "M", _("科学研究和技术服务业")
    N = "N", _("水利、环境和公共设施管理业")
    O = "O", _("居民服务、修理和其他服务业")  # noqa: E741 - the standard's letter
    P = "P", _("教育")
    Q = "Q", _("卫生和社会工作")
    R = "R", _("文化、体育和娱乐业")
    S = "S", _("公共管理、社会保障和社会组织")
    T = "T", _("国际组织")


class SizeClass(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class Enterprise(BaseModel):
    """An employer (单位). ``county`` scopes it; ``union`` is the grassroots union covering it."""

    scope_field = "county"
    scope_assignee_sees_subtree = True

    name = models.CharField(_("单位名称"), max_length=150)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    unit_category = models.CharField(
        _("单位性质"), max_length=3, choices=UnitCategory.choices, blank=True
    )
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, blank=True)
    size_class = models.CharField(_("规模"), max_length=8, choices=SizeClass.choices, blank=True)
    county = models.ForeignKey(
        Org,
        on_delete=models.PROTECT,
        related_name="enterprises_in_county",
        verbose_name=_("所在县区"),
    )
    union = models.ForeignKey(
        Org,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="enterprises",
        verbose_name=_("所属基层工会"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(_("职工人数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~models.Q(uscc=""), name="enterprise_uscc_unique"
            ),
        ]
        indexes = [models.Index(fields=["county", "name"], name="enterprise_county_name")]

    def __str__(self) -> str:
        return self.name
